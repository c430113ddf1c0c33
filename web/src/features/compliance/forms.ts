/** Form behaviour shared by the compliance dialogs. */

/** After a refused submit, move the keyboard focus to the first field marked invalid. */
export function focusFirstInvalid(form: HTMLFormElement | null): void {
  // The error state renders on the next frame; wait for it.
  window.setTimeout(() => form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
}
