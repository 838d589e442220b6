/** Select the whole text of `element`, so Ctrl+C / ⌘C copies it. */
export function selectText(element: HTMLElement | null) {
  if (!element) return;
  const selection = window.getSelection();
  const range = document.createRange();
  range.selectNodeContents(element);
  selection?.removeAllRanges();
  selection?.addRange(range);
}

/**
 * Copy `text` to the clipboard. The dashboard's iframe does not allow the Clipboard API (no
 * clipboard-write permission), so the selected text is copied the older way; when the browser
 * refuses both, the text stays selected and the caller says so.
 */
export async function copyText(text: string, element: HTMLElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // refused (permissions policy of the frame): try the selection below
  }
  selectText(element);
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  }
}

/** The keys that copy the selection on this platform. */
export const copyKeys = () => (/Mac|iPhone|iPad/.test(navigator.platform) ? "⌘C" : "Ctrl+C");
