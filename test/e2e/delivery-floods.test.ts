/** #23 acceptance, part 2: a 1,000-message Matrix burst with a !ping ahead of it; 500 nick changes coalesced. */
import { deliverySuite } from "./delivery/suite.js";

deliverySuite(["burst", "nicks", "commands"]);
