// Types for the mocha globals web-test-runner provides (no @types/mocha is installed; client tsconfig has types: []).
type MochaDone = (err?: unknown) => void;
type MochaTest = ((this: unknown) => void | Promise<unknown>) | ((this: unknown, done: MochaDone) => void);

declare function describe(title: string, fn: (this: unknown) => void): void;
declare function it(title: string, fn?: MochaTest): void;
declare function before(fn: MochaTest): void;
declare function after(fn: MochaTest): void;
declare function beforeEach(fn: MochaTest): void;
declare function afterEach(fn: MochaTest): void;
