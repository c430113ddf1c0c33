/** Only paths on this site may be returned to after login ("//host" and "/\host" leave it). */
export function safeNext(next: string | null): string {
  return next && /^\/(?![/\\])/.test(next) ? next : "/";
}
