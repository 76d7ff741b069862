/**
 * Builds every feature, in the order they see events. A feature that needs another takes it (or its small
 * interface) as a factory parameter, so the order below is the one the types allow and leaving out a feature that
 * another needs does not compile. Adding a feature is one file plus one line here.
 */
import type { Feature } from "../core/context.js";
import { advisoriesFeature } from "./advisories/index.js";
import { autoConvertFeature } from "./auto-convert.js";
import { helpFeature } from "./help.js";
import { identityLinkFeature } from "./identity-link.js";
import { linkAdminFeature } from "./link-admin.js";
import { meetingsFeature } from "./meetings/index.js";
import { missedFeature } from "./missed.js";
import { nextFeature } from "./next.js";
import { relayFeature } from "./relay.js";
import { remindFeature } from "./remind.js";
import { schedulesFeature } from "./schedules.js";
import { seenFeature } from "./seen.js";
import { statusFeature } from "./status.js";
import { timeFeature } from "./time.js";
import { tzFeature } from "./tz.js";
import { webFeature } from "./web.js";

/** Fresh features for one app (each call has its own state). */
export function buildFeatures() {
  const seen = seenFeature();
  const relay = relayFeature();
  const schedules = schedulesFeature();
  const advisories = advisoriesFeature();
  const meetings = meetingsFeature({ schedules, seen });
  const web = webFeature(meetings);
  const all: Feature[] = [
    seen,
    relay,
    missedFeature,
    linkAdminFeature(relay),
    statusFeature,
    helpFeature,
    timeFeature(seen),
    tzFeature,
    identityLinkFeature,
    autoConvertFeature(),
    schedules,
    remindFeature(schedules),
    nextFeature,
    advisories,
    meetings,
    web,
  ];
  return { all, seen, relay, schedules, advisories, meetings, web };
}

export type Features = ReturnType<typeof buildFeatures>;
