import { z } from "zod";

/**
 * The `direction` that tRPC's infinite queries (`infiniteQueryOptions`, `useInfiniteQuery`) add to the input of a
 * cursor-paged list, next to `cursor`. Every list pages forward only: a page's `nextCursor` leads to the page after
 * it and no list hands out a cursor to the page before. So `"forward"` (or no direction) is accepted, and
 * `"backward"` (what `fetchPreviousPage` would send) is refused as a field error on `direction` rather than
 * silently answered with a forward page. Each list input stays strict: any other unknown key is still refused.
 */
export const PageDirection = z
  .enum(["forward", "backward"])
  .refine((direction) => direction === "forward", {
    message:
      'Only forward paging is supported: omit "direction" or pass "forward", with the previous page\'s nextCursor as cursor',
  })
  .optional();
