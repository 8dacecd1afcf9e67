import { z } from "zod";
import { seqSchema as seq } from "./common";

const seqSchema = seq("Expected the seq of the last event you saw");

/** `?after=` is for clients that cannot set Last-Event-ID (the header wins when both are sent). */
export const eventStreamQuerySchema = z.strictObject({ after: seqSchema.optional() });
export const lastEventIdSchema = seqSchema;
