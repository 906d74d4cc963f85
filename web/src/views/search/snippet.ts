// A search snippet as the gateway writes it: plain text where the words that matched are wrapped
// in <mark>…</mark>. Only those two tags mean anything; the rest is text, shown as text (never as
// HTML: it is what people typed).

export interface SnippetPart {
  text: string;
  marked: boolean;
}

export function snippetParts(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let marked = false;
  for (const piece of snippet.split(/(<mark>|<\/mark>)/)) {
    if (piece === "<mark>") marked = true;
    else if (piece === "</mark>") marked = false;
    else if (piece) parts.push({ text: piece, marked });
  }
  return parts;
}
