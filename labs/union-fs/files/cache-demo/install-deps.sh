# Stands in for `pip install -r requirements.txt` or `npm ci`: slow, and it
# depends only on requirements.txt.
echo "installing $(wc -l < requirements.txt) packages (slowly)..."
sleep 4
sort requirements.txt > /app/installed.txt
