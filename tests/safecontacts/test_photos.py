"""Photos: metadata stripped on the way in; served publicly only once published."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from hsm.extensions import db
from hsm.safecontacts import photos
from hsm.safecontacts.models import Photo
from tests.safecontacts.conftest import approve, csrf

GPS_IFD = 0x8825


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (1600, 1200), (120, 80, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    exif[0x0110] = "SecretModel"  # Model
    exif[0x0131] = "SecretSoftware"
    exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 39.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"secret comment")
    data = out.getvalue()
    assert b"SecretCameraMaker" in data
    return data


def test_exif_and_gps_are_removed():
    clean = photos.clean_photo(jpeg_with_exif())
    assert clean.content_type == "image/jpeg"
    assert max(clean.width, clean.height) == photos.MAX_SIDE
    with Image.open(io.BytesIO(clean.data)) as image:
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info and "comment" not in image.info
    assert b"Secret" not in clean.data


@pytest.mark.parametrize(
    ("raw", "reason"),
    [(b"", "empty"), (b"not an image", "unreadable"), (b"x" * (photos.MAX_BYTES + 1), "too_large")],
)
def test_bad_uploads_are_refused(raw, reason):
    with pytest.raises(photos.PhotoRejected) as rejected:
        photos.clean_photo(raw)
    assert rejected.value.reason == reason


def test_uploaded_photo_is_stored_and_served_clean(client, login_as, contact_factory):
    me = login_as("safe_contact")
    person = contact_factory(stage="published", user=me)
    db.session.commit()
    response = client.post(
        f"/staff/safe-contacts/{person.id}/biography",
        data={
            "csrf_token": csrf(client),
            "text_en": "Hello",
            "languages": ["en"],
            "department": "Library",
            "days": ["mon"],
            "online": "y",
            "photo": (io.BytesIO(jpeg_with_exif()), "me.jpg"),
            "photo_alt": "A person smiling",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    stored = db.session.query(Photo).one()
    assert b"Secret" not in stored.data
    # The owner sees their draft photo; the public does not, until it is approved.
    served = client.get(f"/safe-contacts/photos/{stored.id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert b"Secret" not in served.data
    public = client.application.test_client()
    assert public.get(f"/safe-contacts/photos/{stored.id}").status_code == 404
    login_as("edi_officer")
    approve(client, person)
    assert public.get(f"/safe-contacts/photos/{stored.id}").status_code == 200
    assert 'alt="A person smiling"' in public.get("/safe-contacts").get_data(as_text=True)


def test_photo_without_alt_text_is_refused_and_text_kept(client, login_as, contact_factory):
    me = login_as("safe_contact")
    person = contact_factory(stage="biography", user=me)
    db.session.commit()
    response = client.post(
        f"/staff/safe-contacts/{person.id}/biography",
        data={
            "csrf_token": csrf(client),
            "text_en": "Kept words",
            "languages": ["en"],
            "department": "Library",
            "days": ["mon"],
            "online": "y",
            "photo": (io.BytesIO(jpeg_with_exif()), "me.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Describe the photo" in html and "Kept words" in html
    assert db.session.query(Photo).count() == 0
