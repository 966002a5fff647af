// Before any test file imports its helpers: the store tests read QDRANT_URL to choose a server.
import { inject } from "vitest";

process.env.QDRANT_URL = inject("qdrantRestUrl");
delete process.env.QDRANT_API_KEY;
