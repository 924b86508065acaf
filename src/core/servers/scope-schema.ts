import * as z from 'zod'

import {SCOPES} from './inventory.js'

/** A server entry's scope, as the MCP tools and results declare it. */
export const Scope = z.enum(SCOPES)
