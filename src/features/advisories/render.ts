import type { RichText } from "../../core/richtext.js";
import type { Advisory } from "./types.js";

/**
 * A title without the words the notice already starts with: feeds often title items "Security advisory
 * CVE-2026-42001: …", which would otherwise read "Security advisory CVE-2026-42001: Security advisory CVE-…: …".
 */
function ownWords(title: string, ids: string[]): string {
  let t = title.trim().replace(/^security\s+advisory\b[\s:–—-]*/i, "");
  for (let i = 0; i < 5; i++) {
    const m = /^\(?([A-Za-z]+-[\w-]+)\)?[\s,:–—-]+/.exec(t);
    if (!m || !ids.some((id) => id.toLowerCase() === m[1].toLowerCase())) break;
    t = t.slice(m[0].length);
  }
  return t || title.trim();
}

/** `Security advisory CVE-2020-28361 (GHSA-…): title — severity high — affected …; fixed … — link`, as RichText. */
export function renderNotice(a: Advisory): RichText {
  const ids = a.aliases.filter((x) => /^(CVE|GHSA)-/.test(x));
  const rt: RichText = [
    { t: "bold", children: [{ t: "text", text: "Security advisory" }] },
    { t: "text", text: " " },
  ];
  if (ids.length) rt.push({ t: "bold", children: [{ t: "text", text: ids.join(", ") }] }, { t: "text", text: ": " });
  const details = [
    a.severity ? `severity ${a.severity}` : "",
    a.affected ? `affected ${a.affected}` : "",
    a.fixed ? `fixed in ${a.fixed}` : "",
  ].filter(Boolean);
  rt.push({ t: "text", text: `${ownWords(a.title, ids)}${details.length ? ` — ${details.join("; ")}` : ""}` });
  if (a.url && /^https?:\/\//.test(a.url))
    rt.push({ t: "text", text: " — " }, { t: "link", url: a.url, children: [{ t: "text", text: a.url }] });
  return rt;
}

/** `Withdrawn: security advisory CVE-… (title) — its publisher withdrew it; disregard the earlier notice.` */
export function renderWithdrawal(a: Advisory): RichText {
  const ids = a.aliases.filter((x) => /^(CVE|GHSA)-/.test(x));
  const name = ids.length ? ids.join(", ") : ownWords(a.title, ids);
  return [
    { t: "bold", children: [{ t: "text", text: "Withdrawn" }] },
    {
      t: "text",
      text: `: security advisory ${name}${ids.length ? ` (${ownWords(a.title, ids)})` : ""} — its publisher withdrew it; disregard the earlier notice`,
    },
  ];
}
