from easy_dataset.cli import main

main()
