/** Where a command reads its environment and writes its output. `main()` gets the real process; tests pass fakes. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Working directory for relative paths. */
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted on SIGINT/SIGTERM by `main()`; commands pass it to long operations. */
  signal: AbortSignal;
}

/** What a command handler can do besides printing: set the process exit code. */
export interface CommandContext {
  io: CliIo;
  /** Sets the exit code `main()` returns (the highest one set wins). */
  setExitCode(code: number): void;
}
