/** Saving an API answer as a file: the bearer token rules out plain links, so the body
 * is fetched and handed to the browser through an object URL. */

/** The file name of a Content-Disposition header, else `fallback`. */
export function fileNameOf(disposition: string | null, fallback: string): string {
  const match = disposition?.match(/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i);
  return match ? decodeURIComponent(match[1]) : fallback;
}

/** Save `response` as a download named as the server suggests (else `fallback`); the name used. */
export async function saveResponse(response: Response, fallback: string): Promise<string> {
  const name = fileNameOf(response.headers.get("content-disposition"), fallback);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Give the browser a moment to start the download before the URL is released.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
