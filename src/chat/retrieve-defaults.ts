/** The retrieval defaults, in a module of their own so `folio config` can show what they cost without loading the chat code. */
export const DEFAULT_RETRIEVE_OPTIONS = { rerankFetchFactor: 3, minRerankScore: 0.05 } as const;
