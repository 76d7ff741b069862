import type { RichText } from "../../core/richtext.js";
import type { Advisory } from "./types.js";

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
  rt.push({ t: "text", text: `${a.title}${details.length ? ` — ${details.join("; ")}` : ""}` });
  if (a.url && /^https?:\/\//.test(a.url))
    rt.push({ t: "text", text: " — " }, { t: "link", url: a.url, children: [{ t: "text", text: a.url }] });
  return rt;
}
