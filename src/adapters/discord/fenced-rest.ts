/**
 * Discord REST requests that change something leave only while this instance may act. discord.js queues a request
 * behind its rate-limit buckets, so the outbox's check before a send can be seconds old when the request goes out;
 * a process paused in that wait (SIGSTOP, a stalled VM) would post after a standby took over, and Discord cannot
 * dedupe a message. The check here runs after the queue, right before the HTTP request.
 */
import { DefaultRestOptions, type RESTOptions } from "discord.js";
import { FencedError } from "../../store/fence.js";

export function fencedRequests(mayAct: () => boolean): Partial<RESTOptions> {
  return {
    makeRequest: (url, init) => {
      if ((init.method ?? "GET") !== "GET" && !mayAct())
        return Promise.reject(new FencedError("no longer the active instance; the Discord request was not sent"));
      return DefaultRestOptions.makeRequest(url, init);
    },
  };
}
