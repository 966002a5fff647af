/**
 * A library as a reader sees it: papers, each with the figure images stored on their own that
 * belong to it (`paperId`). Such an image is a figure of its paper, not a paper; an image whose
 * paper is not stored stands on its own.
 */
import type { DocumentRecord } from "../store/types.js";

export interface LibraryPaper {
  record: DocumentRecord;
  /** Figure images stored on their own that belong to this paper. */
  figureImages: DocumentRecord[];
}

export function papersOf(records: readonly DocumentRecord[]): LibraryPaper[] {
  const ids = new Set(records.map((r) => r.docId));
  const images = new Map<string, DocumentRecord[]>();
  for (const r of records) {
    if (r.paperId && r.paperId !== r.docId && ids.has(r.paperId)) images.set(r.paperId, [...(images.get(r.paperId) ?? []), r]);
  }
  return records.filter((r) => !(r.paperId && r.paperId !== r.docId && ids.has(r.paperId))).map((record) => ({ record, figureImages: images.get(record.docId) ?? [] }));
}

/** The figures and tables of a paper, its figure images stored on their own included. */
export function figureCount(paper: LibraryPaper): number {
  return paper.figureImages.reduce((n, image) => n + image.figures, paper.record.figures);
}
