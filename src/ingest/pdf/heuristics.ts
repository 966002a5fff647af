/**
 * Layout heuristics of the PDF parser, in one place. Distances are multiples of the font size
 * unless named otherwise; they were tuned on the arXiv corpus in ../shared/corpus/papers.
 */
export const LAYOUT = {
  /** Text smaller than this (points) is invisible or decoration. */
  minFontSize: 1,
  /** Runs whose baselines differ by less than this share a row (superscripts, subscripts). */
  rowBaselineTolerance: 0.45,
  /** A horizontal gap wider than this splits a row into separate lines (column gutter, table cells). */
  segmentGap: 0.6,
  /** A whitespace item wider than this is a gap between cells or columns, not a word space. */
  maxSpaceWidth: 1.0,
  /** A whitespace item narrower than this is not a word space. */
  minSpaceWidth: 0.1,
  /** A gap wider than this between two runs is a space. */
  spaceGap: 0.15,
  /** Glyph box above / below the baseline. */
  ascent: 0.8,
  descent: 0.22,
  /** Lines shorter than this (characters) do not count as evidence of columns. */
  columnLineMinChars: 12,
  minColumnLines: 5,
  /** The gutter is searched between these fractions of the page width. */
  gutterSearchFrom: 0.3,
  gutterSearchTo: 0.7,
  /** At most this share of lines may cross the gutter of a two-column page. */
  maxCrossingShare: 0.5,
  /** A column line at least this share of the column width is body text (columns start there). */
  wideColumnLine: 0.6,
  /** White space across the page taller than this (font sizes) ends the page head (title, authors). */
  headGap: 1.2,
  /** A line this close below a full-width line continues it. */
  continuationGap: 0.6,
  /** Rows this close below each other continue side-by-side text (captions set beside each other or beside the body). */
  besideRowGap: 0.6,
} as const;

export const BLOCKS = {
  /** A vertical gap larger than this (font sizes) starts a new block. */
  paragraphGap: 0.5,
  /** Font sizes that differ by more than this fraction start a new block. */
  sizeChange: 0.12,
  /** A line ending this far (font sizes) short of the column's right edge may end a paragraph. */
  shortLineSlack: 2,
  /** Headings are short. */
  headingMaxChars: 90,
  /** Larger than body text by this factor makes a short block a heading. */
  headingSizeRatio: 1.1,
} as const;

export const MARGINS = {
  /** Running headers / footers live in these fractions of the page height. */
  headerZone: 0.1,
  footerZone: 0.9,
  /** A margin line repeated on at least this share of pages is a running header / footer. */
  repeatShare: 0.4,
  /** At least this many numeric-only lines stacked at one x make a line-number column. */
  lineNumberMinCount: 8,
} as const;

export const FIGURES = {
  /** Regions smaller than this (points) are not worth cropping. */
  minRegionSize: 12,
  /** Padding around a figure region (points). */
  padding: 3,
  /** Graphics larger than this share of the page area are backgrounds, not figures. */
  backgroundShare: 0.9,
  /** A body-text line is at least this share of its column's width. */
  bodyLineWidthShare: 0.6,
  /** Points by which the usual side (figures above, tables below their caption) may be farther and still win. */
  sideSlack: 4,
  /** White space (body font sizes) that separates a figure's parts from what does not belong to it. */
  joinGap: 2,
  /** Drawings join a figure across white space up to this (body font sizes): a grid's rows of plots. */
  drawingJoinGap: 4,
  /** A single line of prose longer than this (characters) beside a figure is body text, not a label. */
  proseLineMinChars: 40,
  /** A line with at least this many lower-case words, making at least this share of its tokens, is prose that works through numbers. */
  proseMinWords: 5,
  proseMinWordShare: 0.3,
  /** A thin rule at most this far (body font sizes) below the running header is the header's. */
  headerRuleGap: 0.8,
  /** A drawing belongs to a figure's window when at least this share of its width lies in it. */
  graphicInWindowShare: 0.5,
  /** A text line belongs to a figure's window when at least this share of its width lies in it. */
  lineInWindowShare: 0.8,
  /** A frame's rules span at least this share of the caption's span. */
  frameRuleShare: 0.85,
  /** Rules followed up a frame before giving up. */
  maxFrameRules: 40,
  /** Captions with content on one side only needed before the document's habit decides the others. */
  sideMinVotes: 2,
  /** Share of those captions that must agree on a side. */
  sideAgreement: 0.75,
  /** A fill whose darkest channel (0-255) is at least this is white on paper: it paints nothing a reader sees. */
  whiteFill: 250,
  /** A crop's pixel darker than this (0-255 grey) is ink; white margins beyond the ink are trimmed. */
  inkThreshold: 248,
  /** Mentions kept per figure. */
  maxMentions: 8,
  /** A block inside a figure's region whose lines average at most this many characters is the figure's labels. */
  labelMaxLineChars: 40,
  /** Share of such a block's area that must lie inside the region. */
  labelMinOverlap: 0.9,
} as const;
