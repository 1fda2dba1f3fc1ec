// WebSocket text frames built once per tick and shared by every subscriber. ws frames each send() for each
// client (header, bookkeeping, a write per frame); a tick's unkeyed frames of one topic are identical for every
// live subscriber, so they are framed once with ws's own Sender.frame and written to each socket as one Buffer.
import * as ws from 'ws';

interface FrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
}
type FrameFn = (data: Buffer, options: FrameOptions) => Buffer[];

// ws exports Sender (a named export of its ESM wrapper, WebSocket.Sender under CommonJS); its types do not
// declare the static frame().
type WithSender = { Sender?: { frame: FrameFn } };
const exported = ws as unknown as WithSender & { default?: WithSender; WebSocket?: WithSender };
const Sender = exported.Sender ?? exported.default?.Sender ?? exported.WebSocket?.Sender;
if (!Sender) throw new Error('ws does not export Sender');
const frame: FrameFn = Sender.frame.bind(Sender);

const TEXT = 0x01;

/** Unmasked final text frames (what a server sends) for already-serialised messages, back to back: one write
 *  delivers them all, in order. */
export function textFrames(payloads: readonly Buffer[]): { wire: Buffer; payloadBytes: number } {
  let payloadBytes = 0;
  const parts: Buffer[] = [];
  for (const payload of payloads) {
    payloadBytes += payload.length;
    for (const part of frame(payload, { fin: true, opcode: TEXT, mask: false, readOnly: true, rsv1: false })) parts.push(part);
  }
  return { wire: Buffer.concat(parts), payloadBytes };
}
