// Test-only task: fails with the message it is given, as a worker bug would.
export default async function throws({ payload }: { payload: { message: string } }): Promise<never> {
  throw new Error(payload.message);
}
