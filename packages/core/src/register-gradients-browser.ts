/**
 * Browser build of `@lgpt/core/register-gradients`: bundlers resolve tfjs-core's ESM files, so
 * this imports the original registrations instead of carrying a copy.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
