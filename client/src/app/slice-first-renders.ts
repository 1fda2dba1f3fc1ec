// Imported first by main.ts, so that every element's first render goes through the app's queue from the start.
import { sliceFirstRenders } from './render-scheduler.js';

sliceFirstRenders();
