/**
 * RSS 2.0, Atom and JSON Feed. XML goes through fast-xml-parser with entity processing off, after a refusal of any
 * DOCTYPE or ENTITY declaration (entity-expansion bombs), and the number of items read is bounded. The XML parser is
 * imported when a feed is first polled (a crier with no feed sources never loads it).
 */
import type { XMLParser } from "fast-xml-parser";
import { type Advisory, type Doc, type FetchState, idsInText, parseTime, type SourceResult } from "./types.js";
import { safeFetch } from "./http.js";

const MAX_ITEMS = 1000;

const text = (v: unknown): string => {
  if (v === undefined || v === null) return "";
  if (typeof v === "string" || typeof v === "number") return String(v);
  if (typeof v === "object" && "#text" in (v as Record<string, unknown>))
    return String((v as Record<string, unknown>)["#text"]);
  return "";
};
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function advisoryFrom(
  id: string,
  title: string,
  url: string | undefined,
  summary: string,
  published: unknown,
): Advisory {
  const aliases = idsInText(`${title} ${summary}`);
  // Without a CVE or GHSA id, the link identifies the advisory even when a feed changes its item ids.
  if (!aliases.length && url) aliases.push(`url:${url}`);
  return {
    id: id || url || title,
    aliases,
    title: title.trim().slice(0, 300),
    url,
    published: parseTime(published),
    packages: [],
  };
}

/** The parser class; callers import it (`(await import("fast-xml-parser")).XMLParser`) so that loading stays lazy. */
export type XmlParserClass = typeof XMLParser;

export function parseFeed(body: string, XML: XmlParserClass): Advisory[] {
  const trimmed = body.trimStart();
  if (trimmed.startsWith("{")) return parseJsonFeed(JSON.parse(trimmed));
  if (/<!DOCTYPE|<!ENTITY/i.test(body))
    throw new Error("feed declares a DOCTYPE or ENTITY; refused (entity expansion)");
  const parser = new XML({
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    processEntities: false,
    htmlEntities: false,
  });
  const doc = parser.parse(body) as Doc;
  if (doc.rss) {
    const items = list(doc.rss.channel?.item).slice(0, MAX_ITEMS);
    return items.map((it: Record<string, unknown>) =>
      advisoryFrom(
        text(it.guid),
        text(it.title),
        text(it.link) || undefined,
        text(it.description),
        text(it.pubDate) || text(it["dc:date"]),
      ),
    );
  }
  if (doc.feed) {
    const entries = list(doc.feed.entry).slice(0, MAX_ITEMS);
    return entries.map((e: Doc) => {
      const links = list(e.link) as Array<Record<string, string>>;
      const href = (links.find((l) => !l["@rel"] || l["@rel"] === "alternate") ?? links[0])?.["@href"];
      return advisoryFrom(
        text(e.id),
        text(e.title),
        href,
        text(e.summary) || text(e.content),
        text(e.published) || text(e.updated),
      );
    });
  }
  throw new Error("not an RSS, Atom or JSON feed");
}

function parseJsonFeed(doc: Doc): Advisory[] {
  if (!Array.isArray(doc.items)) throw new Error("JSON Feed without items");
  return doc.items
    .slice(0, MAX_ITEMS)
    .map((it: Record<string, unknown>) =>
      advisoryFrom(
        text(it.id),
        text(it.title),
        text(it.url) || undefined,
        text(it.summary) || text(it.content_text),
        it.date_published,
      ),
    );
}

export function feedSource(url: string, opts: { maxBytes: number; timeoutMs?: number; allowRedirectHosts: string[] }) {
  return {
    async poll(state: FetchState): Promise<SourceResult> {
      const res = await safeFetch(url, { ...opts, state });
      if (res.status === 304) return { advisories: [], notModified: true, state: res.state };
      const { XMLParser } = await import("fast-xml-parser");
      return { advisories: parseFeed(res.body, XMLParser), state: res.state };
    },
  };
}
