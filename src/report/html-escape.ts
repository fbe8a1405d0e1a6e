/**
 * What may be inserted into report.html. Text and attribute values go through `escapeHtml`; data
 * goes into a `<script type="application/json">` through `jsonForScript`, which can never close the
 * element or break a JavaScript parser.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * JSON that is safe inside `<script>`: every `<` becomes `\u003c` (so no `</script` or `<!--` can
 * appear), and U+2028/U+2029, line terminators to older JavaScript parsers, are escaped too.
 * `JSON.parse` of the element's text gives back the original value.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Code or a stylesheet inlined in a `<script>` or `<style>` element: the only sequence that can end
 * the element early is `</script` or `</style` (any case), so its `/` is escaped — `<\/` means the
 * same inside JavaScript strings and regular expressions, and CSS never needs the sequence.
 */
export function inlineSafe(source: string, element: 'script' | 'style'): string {
  return source.replace(new RegExp(`</(${element})`, 'gi'), '<\\/$1');
}
