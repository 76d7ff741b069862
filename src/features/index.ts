/** Every feature, in the order they see events. Adding a feature is one file plus one line here. */
import type { Feature } from "../core/context.js";
import { helpFeature } from "./help.js";
import { linkAdminFeature } from "./link-admin.js";
import { relayFeature } from "./relay.js";

export const features: Feature[] = [relayFeature, linkAdminFeature, helpFeature];
