#!/bin/sh
# Runs in the MinIO image (which ships `mc`): makes jtai's bucket, a user for the app that may use only that
# bucket (not the root account), and a rule that expires puts a crash left under .incoming/ after a day.
# Safe to run again.
set -eu
: "${S3_BUCKET:?}" "${S3_PREFIX:?}"
secrets=/run/secrets
export MC_CONFIG_DIR=/tmp/.mc

until mc alias set jtai http://minio:9000 "$(cat $secrets/access_key)" "$(cat $secrets/secret_key)" >/dev/null 2>&1; do
  echo 'waiting for MinIO'
  sleep 2
done

mc mb --ignore-existing "jtai/$S3_BUCKET"
mc anonymous set none "jtai/$S3_BUCKET"

cat > /tmp/jtai-files-policy.json <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Action": ["s3:ListBucket", "s3:ListBucketMultipartUploads"],
      "Resource": ["arn:aws:s3:::$S3_BUCKET"] },
    { "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      "Resource": ["arn:aws:s3:::$S3_BUCKET/*"] }
  ]
}
POLICY
mc admin policy create jtai jtai-files /tmp/jtai-files-policy.json >/dev/null 2>&1 || true
app_user="$(cat $secrets/s3_access_key_id)"
mc admin user add jtai "$app_user" "$(cat $secrets/s3_secret_access_key)"
mc admin policy attach jtai jtai-files --user "$app_user" >/dev/null 2>&1 || true

if ! mc ilm rule ls "jtai/$S3_BUCKET" 2>/dev/null | grep -q "$S3_PREFIX/.incoming/"; then
  mc ilm rule add --prefix "$S3_PREFIX/.incoming/" --expire-days 1 "jtai/$S3_BUCKET"
fi
echo "Bucket $S3_BUCKET is ready for jtai."
