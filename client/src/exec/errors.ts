/**
 * A failure of exec's engine (obtaining the secrets, starting the command), with the
 * exit code the CLI reports for it. `cause` holds the API error when there was one
 * (a PermissionDenied, a PolicyDenied…), so SDK callers can tell them apart.
 */
export class ExecError extends Error {
  constructor(message: string, readonly exitCode = 1, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ExecError";
  }
}
