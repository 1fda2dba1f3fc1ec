// What a page loads when it opens: the shell keeps a new page hidden until its first data has arrived and the
// elements that data creates have rendered (oc-app.ts), so the page appears filled and nothing on it moves
// down as its sections arrive one by one. A page without `firstLoad` is shown once it has rendered.

export interface LoadsFirstData {
  /** Settles (either way) once the page's first data has arrived and been applied; null until connected. */
  readonly firstLoad: Promise<unknown> | null;
}

/** The page's first load, or a settled promise when it has none. Never rejects. */
export function firstLoadOf(page: Element | null | undefined): Promise<void> {
  const load = (page as Partial<LoadsFirstData> | null | undefined)?.firstLoad;
  return load ? load.then(() => undefined, () => undefined) : Promise.resolve();
}
