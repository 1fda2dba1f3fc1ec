// Work that must not delay a first paint waits for this: it resolves once the browser has painted the current frame.

/** Resolves in a task after the next animation frame, i.e. after that frame has been painted. */
export function afterNextPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}
