/**
 * Builds every feature, in the order they see events. A feature that needs another takes it (or its small
 * interface) as a factory parameter, so the order below is the one the types allow and leaving out a feature that
 * another needs does not compile. Adding a feature is one file plus one line here.
 */
import type { Feature } from "../core/context.js";
import { advisoriesFeature } from "./advisories/index.js";
import { announcementsFeature } from "./announcements.js";
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
  const all: Feature[] = [];
  // A feature is run as it is built, in the order built (the order they see events and help lists commands): none
  // can be built for another to use and then left out of the list, and removing one that another needs does not
  // compile. Its public interface works from its `init` on, which runs before those built after it.
  const use = <F extends Feature>(feature: F): F => {
    all.push(feature);
    return feature;
  };
  const seen = use(seenFeature());
  const relay = use(relayFeature());
  use(missedFeature);
  use(linkAdminFeature(relay));
  use(statusFeature);
  use(helpFeature);
  use(timeFeature(seen));
  use(tzFeature);
  use(identityLinkFeature);
  use(autoConvertFeature());
  const schedules = use(schedulesFeature());
  use(remindFeature(schedules));
  use(nextFeature);
  const advisories = use(advisoriesFeature());
  const meetings = use(meetingsFeature({ schedules, seen }));
  use(announcementsFeature({ schedules, meetings }));
  const web = use(webFeature(meetings, relay));
  return { all, seen, relay, schedules, advisories, meetings, web };
}

export type Features = ReturnType<typeof buildFeatures>;
