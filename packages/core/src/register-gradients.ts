/**
 * Registers every gradient tfjs-core defines. tfjs-core's Node bundle registers none, and its ESM
 * files cannot be imported by Node directly (extensionless imports), so the Node build of this
 * module carries its own copy of the gradient definitions (as @tensorflow/tfjs does); they act on
 * the one shared engine and kernel registry.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
