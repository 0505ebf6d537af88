/** The workflows the worker registers (the bundler's entry point). */
export { inspection } from './inspection';
