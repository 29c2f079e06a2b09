# The application: the file you edit all day.
echo "app version 1, with: $(tr '\n' ' ' < /app/installed.txt)"
