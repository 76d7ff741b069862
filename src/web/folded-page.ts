/** The page a flood's fold line links to: every folded message of the run, in the order it was said. */
import { escapeHtml as e } from "../core/escape-html.js";
import type { FoldedRun } from "../core/model.js";
import { localTime, page } from "./pages.js";

/** Where the pages find a folded run: the relay feature answers it (the table is its own). */
export interface FoldedRuns {
  foldedRun(id: string): Promise<FoldedRun | undefined>;
}

export function foldedPage(run: FoldedRun): string {
  const n = run.messages.length;
  const rows = run.messages
    .map(
      (m) =>
        `<tr><td>${localTime(m.at)}</td><td>${e(m.author)}</td><td style="white-space:pre-wrap">${e(m.text)}</td></tr>`,
    )
    .join("");
  const title = `${n} ${n === 1 ? "message" : "messages"} from ${run.origin.room} on ${run.origin.account}`;
  return page(
    title,
    `<h1>${e(title)}</h1><p>Not relayed to ${e(run.target.room)} on ${e(run.target.account)} during a flood; all of them, in order:</p><table><tr><th>time</th><th>who</th><th>message</th></tr>${rows}</table>`,
  );
}
