/**
 * Moved to src/store/images.ts. Kept only as a re-export for test/server/corpus.ts and
 * test/chat/corpus.ts until their imports point at the store; delete it then.
 */
export { IMAGE_ID_LENGTH, imageIdOf, imagePath, saveImage } from "../store/images.js";
