/** The three-platform relay suite (three/relay-suite.ts) with crier's Matrix account as an application service. */
import { relaySuite } from "./three/relay-suite.js";

relaySuite("appservice");
