"""The API's response models: what each endpoint returns, with descriptions and examples."""
