/** Vite bundles CSS imported for its side effect (the control and data pages keep their styles beside them). */
declare module "*.css";
