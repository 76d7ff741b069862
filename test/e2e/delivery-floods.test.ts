/** #23 acceptance, part 2: a 1,000-message Matrix burst with a !ping answered ahead of it; a 500-nick flood. */
import { deliverySuite } from "./delivery/suite.js";

deliverySuite(["burst", "nicks"]);
