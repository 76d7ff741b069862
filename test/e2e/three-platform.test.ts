/** The three-platform relay suite (three/relay-suite.ts) with crier's Matrix account as a bot. */
import { relaySuite } from "./three/relay-suite.js";

relaySuite("bot");
