// Compatibility re-export for speaker/election/announce.ts, written before the annotations moved to
// api/serviceannotations.ts (commit a6e0512). Delete this file once speaker/election imports api/ directly.
export { ANNOTATION, annotationValue } from '../../api/serviceannotations';
