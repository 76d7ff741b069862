/**
 * The chaos run with crier's Matrix account an application service (each IRC and Discord person a Matrix ghost):
 * 300 messages (CRIER_CHAOS_TOTAL) through restarts of every server and SIGKILLs of crier, each on both other
 * platforms once, in per-sender order (three/chaos-suite.ts).
 */
import { chaosSuite } from "./three/chaos-suite.js";

chaosSuite({ total: Number(process.env.CRIER_CHAOS_TOTAL ?? 300), appservice: true });
