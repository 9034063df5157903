// ml-cart ships no type declarations; bench/ml.ts times its regression tree directly.
declare module "ml-cart" {
  export class DecisionTreeRegression {
    constructor(options?: { maxDepth?: number; minNumSamples?: number });
    train(trainingSet: number[][], trainingValues: number[]): void;
    predict(toPredict: number[][]): number[];
  }
}
