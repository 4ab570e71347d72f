/** True when `error` is a Node system error with one of the given codes (`ENOENT`, ...). */
export function isErrno(error: unknown, ...codes: readonly string[]): boolean {
  const code = (error as NodeJS.ErrnoException | null | undefined)?.code;
  return code !== undefined && codes.includes(code);
}
