import { createRoute, z } from "@hono/zod-openapi";
import { locate, parseIp } from "@vigil/geo";
import { getFlag, listNotices, recentLogins, sessionTimeline } from "@vigil/store";
import { securityOf } from "../access.ts";
import type { ApiApp, ApiDeps } from "../deps.ts";
import { ApiError, errorResponses } from "../errors.ts";
import { flagPlaces, type MapPoint } from "../flagPlaces.ts";
import { loginNovelty } from "../loginNovelty.ts";
import { idParams, noQuery, noticeResponseSchema } from "../schemas.ts";

/** How many of the account's latest logins make its usual places, and how many notices are shown. */
const LOGINS_FOR_PLACES = 200;
const NOTICES_SHOWN = 20;

const mapPoint = z
  .object({
    country: z.string(),
    city: z.string().nullable(),
    lat: z.number(),
    lon: z.number(),
    accuracyKm: z.number().openapi({ description: "Radius the address is likely within" }),
  })
  .openapi("MapPoint");

const familiarity = z
  .object({
    value: z.string().nullable(),
    earlierLogins: z.number().int().openapi({ description: "Earlier logins with this value; 0: new" }),
    firstSeenAt: z.string().nullable().openapi({ format: "date-time" }),
  })
  .openapi("Familiarity");

const flagContextSchema = z
  .object({
    login: mapPoint.nullable().openapi({
      description: "Where the flagged session logged in from; null if unknown or past IP retention",
    }),
    travelFrom: mapPoint
      .extend({ at: z.string().openapi({ format: "date-time" }) })
      .nullable()
      .openapi({ description: "For impossible travel: the earlier login the speed was measured from" }),
    usualPlaces: z
      .array(
        z.object({
          country: z.string(),
          city: z.string().nullable(),
          lat: z.number(),
          lon: z.number(),
          logins: z.number().int(),
          lastAt: z.string().openapi({ format: "date-time" }),
        }),
      )
      .openapi({ description: "The account's other recent logins by place, most used first" }),
    novelty: z
      .object({
        device: familiarity,
        network: familiarity,
        country: familiarity,
        comparedLogins: z.number().int(),
        comparedSince: z.string().nullable().openapi({ format: "date-time" }),
      })
      .nullable()
      .openapi({
        description:
          "The session login's device family, network prefix and country against the account's earlier logins",
      }),
    notices: z.array(noticeResponseSchema).openapi({ description: "The user's latest notices and answers" }),
  })
  .openapi("FlagContext");

export type GetFlagContextResponse = z.output<typeof flagContextSchema>;

export const getFlagContextRoute = createRoute({
  method: "get",
  path: "/v1/flags/{id}/context",
  tags: ["flags"],
  summary: "What surrounds a flag: places for its map, and the user's notices",
  description:
    "The account's usual places (its latest logins still within IP retention, located and grouped by " +
    "city), where the flagged session logged in from and, for impossible travel, where it came from; " +
    "how new the session's device, network and country were to the account; and the notices the user " +
    "was sent with their answers. Coordinates only: no address leaves.",
  security: securityOf("GET /v1/flags/{id}/context"),
  request: { params: idParams, query: noQuery },
  responses: {
    200: {
      description: "The flag's context",
      content: { "application/json": { schema: flagContextSchema } },
    },
    ...errorResponses(
      "invalid_request",
      "unauthenticated",
      "forbidden",
      "not_found",
      "rate_limited",
      "internal",
    ),
  },
});

function locateIp(ip: string): MapPoint | null {
  const parsed = parseIp(ip);
  const place = parsed === null ? null : locate(parsed);
  return place === null
    ? null
    : {
        country: place.country,
        city: place.city,
        lat: place.lat,
        lon: place.lon,
        accuracyKm: place.accuracyKm,
      };
}

export function registerGetFlagContext(app: ApiApp, { sql }: ApiDeps): void {
  app.openapi(getFlagContextRoute, async (c) => {
    const { id } = c.req.valid("param");
    const flag = await getFlag(sql, id);
    if (!flag) throw new ApiError("not_found", "no flag with this id");
    const [timeline, logins, notices] = await Promise.all([
      flag.sessionId === null ? [] : sessionTimeline(sql, flag.userId, flag.sessionId),
      recentLogins(sql, flag.userId, LOGINS_FOR_PLACES),
      listNotices(sql, flag.userId, { limit: NOTICES_SHOWN }),
    ]);
    const login = timeline.find((e) => e.type === "login.succeeded") ?? null;
    const places = flagPlaces(flag, login?.ip ?? null, logins, locateIp);
    return c.json(
      {
        login: places.login,
        travelFrom: places.travelFrom,
        usualPlaces: places.usual,
        novelty: loginNovelty(login, logins),
        notices: notices.items,
      },
      200,
    );
  });
}
