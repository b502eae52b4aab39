"""One widget class per step of the workflow: data, augment, train, results, predict."""
