from breachdesk.cli.main import main

main()
