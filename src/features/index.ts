/** Every feature, in the order they see events. Adding a feature is one file plus one line here. */
import type { Feature } from "../core/context.js";
import { advisoriesFeature } from "./advisories/index.js";
import { autoConvertFeature } from "./auto-convert.js";
import { helpFeature } from "./help.js";
import { identityLinkFeature } from "./identity-link.js";
import { linkAdminFeature } from "./link-admin.js";
import { meetingsFeature } from "./meetings/index.js";
import { nextFeature } from "./next.js";
import { relayFeature } from "./relay.js";
import { remindFeature } from "./remind.js";
import { schedulesFeature } from "./schedules.js";
import { seenFeature } from "./seen.js";
import { timeFeature } from "./time.js";
import { tzFeature } from "./tz.js";
import { webFeature } from "./web.js";

export const features: Feature[] = [
  seenFeature,
  relayFeature,
  linkAdminFeature,
  helpFeature,
  timeFeature,
  tzFeature,
  identityLinkFeature,
  autoConvertFeature,
  schedulesFeature,
  remindFeature,
  nextFeature,
  advisoriesFeature,
  meetingsFeature,
  webFeature,
];
