/** #23 acceptance, part 1: 200 messages/s IRC → Matrix; a failing Matrix room parked without holding another. */
import { deliverySuite } from "./delivery/suite.js";

deliverySuite(["throughput", "failing-room"]);
