// Prints the cost of 1,000 images on AWS (see bench/cost-model.ts), in the Markdown the README carries.
import { costPerThousandImages, costTableMarkdown } from './cost-model';

costPerThousandImages()
  .then((lines) => console.log(costTableMarkdown(lines)))
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
