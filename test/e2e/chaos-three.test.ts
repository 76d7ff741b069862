/**
 * Chaos across all three networks with crier's Matrix account a bot: 1,000 messages (CRIER_CHAOS_TOTAL) through one
 * real crier process while every server restarts and crier is SIGKILLed (three/chaos-suite.ts says how).
 * `CRIER_CHAOS_MATRIX=appservice` runs it with the account an application service, as chaos-three-appservice does.
 */
import { chaosSuite } from "./three/chaos-suite.js";

chaosSuite({
  total: Number(process.env.CRIER_CHAOS_TOTAL ?? 1000),
  appservice: process.env.CRIER_CHAOS_MATRIX === "appservice",
});
